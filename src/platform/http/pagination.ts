import { Type, type TSchema } from '@sinclair/typebox';

export const PageQuery = {
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000, default: 1, description: 'Page number, from 1.' })),
  per_page: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50, description: 'Items per page, at most 200.' })),
};

export function pageOf(q: { page?: number; per_page?: number }): { page: number; perPage: number; offset: number } {
  const page = q.page ?? 1;
  const perPage = q.per_page ?? 50;
  return { page, perPage, offset: (page - 1) * perPage };
}

/** The list envelope of every paginated route. */
export function Paged<T extends TSchema>(item: T) {
  return Type.Object({
    items: Type.Array(item),
    total: Type.Integer(),
    page: Type.Integer(),
    per_page: Type.Integer(),
  });
}

export const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.Optional(Type.String()),
    instance: Type.Optional(Type.String()),
    request_id: Type.Optional(Type.String({ description: 'The id of this request: in the x-request-id header, the server logs and the audit events it recorded.' })),
    errors: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String() }))),
  },
  { $id: 'Problem', description: 'RFC 9457 problem details' },
);
