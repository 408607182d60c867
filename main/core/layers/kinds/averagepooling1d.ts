import { pooling } from './pooling';

export const AveragePooling1D = pooling('Average', 1);
