DROP INDEX service_records_supplier;
DROP INDEX service_records_town;
DROP INDEX service_records_district;
