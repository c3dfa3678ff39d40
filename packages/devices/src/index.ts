// @ringvm/devices: public surface.
