DROP TABLE payroll_adjustments;
DROP TABLE payroll_lines;
DROP TABLE payroll_runs;
DROP TABLE tax_declarations;
DROP TABLE performance_scores;
DROP TABLE insurance_rules;
DROP TABLE pay_standards;
DROP FUNCTION IF EXISTS payroll_lines_frozen();
DROP FUNCTION IF EXISTS payroll_runs_frozen();
