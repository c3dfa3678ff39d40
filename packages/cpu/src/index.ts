// @ringvm/cpu: public surface.
