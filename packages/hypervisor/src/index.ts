// @ringvm/hypervisor: public surface.
