// The decision lives in main/core (shared with every UI); the store keeps importing it from here.
export { fitProjectToData, type FitResult } from '../../../main/core/graph/fitToData';
