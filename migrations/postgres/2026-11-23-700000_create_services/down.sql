DROP TABLE report_lines;
DROP TABLE service_reports;
DROP TABLE service_evidence;
DROP TABLE service_records;
ALTER TABLE contract_indicators DROP COLUMN target_qty;
ALTER TABLE contract_indicators DROP COLUMN service_code;
DROP TABLE contract_areas;
DROP TABLE recipients;
DROP TABLE households;
