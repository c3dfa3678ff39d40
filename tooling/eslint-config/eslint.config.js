import { library } from "./index.js";

export default [...library, { ignores: ["test/fixtures/**"] }];
