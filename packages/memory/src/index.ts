// @ringvm/memory: public surface.
