import type { z } from 'zod';
import type { notifierSchema } from '../../config/analyzer-schema.ts';

export type NotifierConfig = z.infer<typeof notifierSchema>;
export type ConfigOf<T extends NotifierConfig['type']> = Extract<NotifierConfig, { type: T }>;
