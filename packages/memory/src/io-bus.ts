// The IoBus a device's context carries: ports go to the PortBus, MMIO to the PhysicalSpace.
import type { IoBus } from "@ringvm/bus";
import type { PhysicalSpace } from "./physical-space";
import type { PortBus } from "./port-bus";

/** Joins the port bus and the physical space into the one registration surface devices see. */
export function createIoBus(ports: PortBus, physical: PhysicalSpace): IoBus {
  return {
    registerPorts: (first, count, handler, options) =>
      ports.registerPorts(first, count, handler, options),
    mapMmio: (base, size, handler, options) => physical.mapMmio(base, size, handler, options),
  };
}
