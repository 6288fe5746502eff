-- Indexes for reading one district's (one town's, one provider's) service
-- records by date, found missing at 100 districts (issue 10, item 3):
-- without them the services page and the records list scanned every
-- district's records.
CREATE INDEX service_records_district ON service_records (district_id, started_at);
CREATE INDEX service_records_town ON service_records (town_id, started_at);
CREATE INDEX service_records_supplier ON service_records (supplier_id, started_at);
