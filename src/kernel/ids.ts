import { randomUUID } from 'node:crypto';

declare const brand: unique symbol;
/** A string that the type system keeps apart from other strings of another brand. */
export type Brand<T, B extends string> = T & { readonly [brand]: B };

export type ProfileId = Brand<string, 'ProfileId'>;
export type AccountId = Brand<string, 'AccountId'>;
export type SourceId = Brand<string, 'SourceId'>;
export type QuarantineId = Brand<string, 'QuarantineId'>;
export type MessageId = Brand<string, 'MessageId'>;

export const ProfileId = (s: string): ProfileId => s as ProfileId;
export const AccountId = (s: string): AccountId => s as AccountId;
export const SourceId = (s: string): SourceId => s as SourceId;
export const QuarantineId = (s: string): QuarantineId => s as QuarantineId;
export const MessageId = (s: string): MessageId => s as MessageId;

/** Ids minted by Segmentum carry a short prefix so a log line says what an id names. */
export const newProfileId = (): ProfileId => ProfileId(`prof_${randomUUID().replaceAll('-', '')}`);
export const newQuarantineId = (): QuarantineId => QuarantineId(`q_${randomUUID().replaceAll('-', '')}`);
