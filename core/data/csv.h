#pragma once
// Minimal CSV reading shared by the annotation readers: comma-separated
// fields, optional double quotes around a field ("" inside quotes is a
// quote), surrounding spaces trimmed, blank lines and lines starting with '#'
// skipped. Errors name "path:line" and the field.
#include <functional>
#include <string>
#include <vector>

namespace rv {

struct CsvRow {
  long line = 0;  // 1-based line number in the file
  std::vector<std::string> fields;
};

// Reads every non-blank, non-comment row. Throws rv::InputError when the file
// cannot be opened or a quote is left open.
std::vector<CsvRow> read_csv_rows(const std::string& path);

// Strict number parsing: the whole field must be a finite number.
double csv_number(const std::string& path, const CsvRow& row, size_t column, const std::string& name);
long csv_integer(const std::string& path, const CsvRow& row, size_t column, const std::string& name);

// True when the row's fields equal `names` case-insensitively (a header line).
bool csv_is_header(const CsvRow& row, const std::vector<std::string>& names);

}  // namespace rv
