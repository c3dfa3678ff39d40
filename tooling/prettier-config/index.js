/** Shared Prettier options for every RingVM package. */
export default {
  printWidth: 100,
  singleQuote: false,
  trailingComma: "all",
};
