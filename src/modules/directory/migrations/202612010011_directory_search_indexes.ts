import type { Migration } from '../../../platform/db/migrator.ts';

// Distance searches start from the locations in a bounding box, then follow each to its services: with latitude
// alone indexed, every location in the latitude band was read to test its longitude (a band crosses the country).
// The pairs below answer those steps from the index alone.
export const up: Migration['up'] = async (db) => {
  await db.schema.createIndex('directory_location_lat_lng_idx').on('directory_location').columns(['latitude', 'longitude', 'confidential', 'id']).execute();
  await db.schema.createIndex('directory_service_at_location_loc_svc_idx').on('directory_service_at_location').columns(['location_id', 'service_id']).execute();
  await db.schema.createIndex('directory_language_service_code_idx').on('directory_language').columns(['service_id', 'code', 'name']).execute();
};
