/**
 * First value of a number field that will hold retired-instruction counts: not a small integer,
 * so V8 lays the field out as a double from the start and the constructor then sets it (a boot
 * passes 2^31 instructions; a field begun as a small integer would change the object's hidden
 * class then, deoptimizing every function that has seen it).
 */
export const DOUBLE_FIELD = 2 ** 31;
