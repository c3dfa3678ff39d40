// @ringvm/decoder: public surface.
