/** The strategies of section 8.7: pretraining and transfer, hints, models that aid optimization, continuation, curriculum. */
export * from "./deepMlp.js";
export * from "./freeze.js";
export * from "./transfer.js";
export * from "./pretraining.js";
export * from "./hints.js";
export * from "./auxiliaryHeads.js";
export * from "./skipConnections.js";
export * from "./continuation.js";
export * from "./modelObjective.js";
export * from "./curriculum.js";
