import { globalPooling } from './globalpooling';

export const GlobalMaxPooling2D = globalPooling('Max', 2);
