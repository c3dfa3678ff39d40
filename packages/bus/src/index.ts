// @ringvm/bus: public surface.
