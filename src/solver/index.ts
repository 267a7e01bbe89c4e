export { cancelledError } from './flight.ts';
export { createSolver, defaultGlobalParallelism, defaultParallelism } from './solver.ts';
export type {
  KeyLock,
  LogStream,
  Op,
  ReleaseLock,
  SolveEvent,
  SolveEventType,
  SolveOptions,
  Solver,
  SolverOptions,
  Vertex,
  VertexContext,
  VertexInfo,
} from './types.ts';
