// The web app shell. The emulator itself will run in a Web Worker over @ringvm/pc.
import { VERSION } from "@ringvm/pc";

const app = document.querySelector<HTMLElement>("#app");
if (app) app.textContent = `RingVM ${VERSION}`;
