import { pooling } from './pooling';

export const AveragePooling2D = pooling('Average', 2);
