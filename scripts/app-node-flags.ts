// Node flags the API and the worker run with (npm start, the benches). The live heap of either stays under
// ~50 MB; without a cap V8 lets the old space grow with load well past that before it collects.
export const APP_NODE_FLAGS: string[] = ['--max-old-space-size=128'];
