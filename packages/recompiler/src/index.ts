// @ringvm/recompiler: public surface.
