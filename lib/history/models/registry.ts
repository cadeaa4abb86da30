/**
 * The models a history file may name in its "model" field.
 */
import type { AnyModel } from '../model.ts';
import { casRegister } from './cas-register.ts';
import { listStore } from './list-store.ts';

const models: Record<string, AnyModel> = {
  [listStore.name]: listStore,
  [casRegister.name]: casRegister,
};

export function modelNamed(name: string): AnyModel | undefined {
  return Object.hasOwn(models, name) ? models[name] : undefined;
}

export function modelNames(): string[] {
  return Object.keys(models);
}
