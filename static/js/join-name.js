// The name form before joining a session: its start time is also said in the browser's own time zone.

import { localTimes } from "./lib/dom.js";

localTimes();
