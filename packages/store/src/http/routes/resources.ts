import {
  NamedResourcesSchema,
  paginatedResultSchema,
  QueryResourcesBodySchema,
  RESOURCES_SORT_FIELDS,
  ResourcesUpdateSchema,
} from "@agentlightning/types";
import { type ApiRoute, defineRoute } from "../api-route.js";
import { checkPageParams } from "../validate.js";

/** Resources endpoints; `GET /resources/latest` precedes `GET /resources/:resources_id` (docs/store-contract.md §4.5). */
export const resourcesRoutes: ApiRoute[] = [
  defineRoute({
    method: "GET",
    path: "/resources",
    operationId: "queryResources",
    summary: "Filter, sort and page resources snapshots",
    tag: "resources",
    query: QueryResourcesBodySchema,
    status: 200,
    response: paginatedResultSchema(ResourcesUpdateSchema),
    errors: [400],
    async handle({ query }, { store }) {
      checkPageParams(query, RESOURCES_SORT_FIELDS);
      return store.queryResources({
        resourcesId: query.resources_id,
        resourcesIdContains: query.resources_id_contains,
        sortBy: query.sort_by,
        sortOrder: query.sort_order,
        limit: query.limit,
        offset: query.offset,
      });
    },
  }),
  defineRoute({
    method: "POST",
    path: "/resources",
    operationId: "addResources",
    summary: "Store a new resources snapshot (`rs-` id) and make it the latest",
    description: "The body is the named resources object itself (`{}` allowed).",
    tag: "resources",
    body: NamedResourcesSchema,
    bodyRequired: true,
    status: 201,
    response: ResourcesUpdateSchema,
    handle: async ({ body }, { store }) => store.addResources(body),
  }),
  defineRoute({
    method: "GET",
    path: "/resources/latest",
    operationId: "getLatestResources",
    summary: "The latest resources snapshot, or null",
    tag: "resources",
    status: 200,
    response: ResourcesUpdateSchema.nullable(),
    handle: async (_request, { store }) => store.getLatestResources(),
  }),
  defineRoute({
    method: "POST",
    path: "/resources/:resources_id",
    operationId: "updateResources",
    summary: "Replace (or create) the snapshot with this id and make it the latest",
    tag: "resources",
    body: NamedResourcesSchema,
    bodyRequired: true,
    status: 200,
    response: ResourcesUpdateSchema,
    handle: async ({ body, param }, { store }) => store.updateResources(param("resources_id"), body),
  }),
  defineRoute({
    method: "GET",
    path: "/resources/:resources_id",
    operationId: "getResources",
    summary: "One resources snapshot, or null",
    tag: "resources",
    status: 200,
    response: ResourcesUpdateSchema.nullable(),
    handle: async ({ param }, { store }) => store.getResourcesById(param("resources_id")),
  }),
];
