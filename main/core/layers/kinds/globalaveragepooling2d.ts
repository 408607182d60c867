import { globalPooling } from './globalpooling';

export const GlobalAveragePooling2D = globalPooling('Average', 2);
