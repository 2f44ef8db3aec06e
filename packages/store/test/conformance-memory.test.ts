import { InMemoryLightningStore } from "../src/memory/memory-store.js";
import { describeLightningStore } from "../src/testing/index.js";

describeLightningStore("InMemoryLightningStore", async (settings) => new InMemoryLightningStore(settings));
