// vgetrandom/mm: the simulated Linux memory manager with MAP_DROPPABLE semantics, and the mmap
// constants it shares with the native backend.
// @example import { SimulatedMm, MAP_DROPPABLE, MAP_ANONYMOUS, PROT_READ, PROT_WRITE } from 'vgetrandom/mm'

export * from './constants.js';
export { SimulatedMm } from './simulated.js';
export type {
  CoreDump,
  Mapping,
  MappingFlags,
  MappingInfo,
  MappingRecord,
  SimulatedMmHandle,
  SimulatedMmOptions,
} from './types.js';
