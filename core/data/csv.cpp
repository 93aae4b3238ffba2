#include "data/csv.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>

#include "common/error.h"

namespace rv {

namespace {

std::string trim(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

std::vector<std::string> split(const std::string& path, long line_no, const std::string& line) {
  std::vector<std::string> fields;
  std::string field;
  bool quoted = false, was_quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') { field += '"'; ++i; }
      else if (c == '"') quoted = false;
      else field += c;
    } else if (c == '"' && trim(field).empty()) {
      quoted = was_quoted = true;
      field.clear();
    } else if (c == ',') {
      fields.push_back(was_quoted ? field : trim(field));
      field.clear();
      was_quoted = false;
    } else {
      field += c;
    }
  }
  if (quoted) throw_line_error(path, line_no, "unterminated quoted field");
  fields.push_back(was_quoted ? field : trim(field));
  return fields;
}

std::string field_label(size_t column, const std::string& name) {
  return "column " + std::to_string(column + 1) + " (" + name + ")";
}

}  // namespace

std::vector<CsvRow> read_csv_rows(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw_input_error(path, "cannot open file");
  std::vector<CsvRow> rows;
  std::string line;
  long line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line_no == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);  // UTF-8 BOM
    const std::string t = trim(line);
    if (t.empty() || t[0] == '#') continue;
    rows.push_back({line_no, split(path, line_no, line)});
  }
  if (in.bad()) throw_input_error(path, "read error");
  return rows;
}

double csv_number(const std::string& path, const CsvRow& row, size_t column, const std::string& name) {
  if (column >= row.fields.size()) throw_line_error(path, row.line, "missing " + field_label(column, name));
  const std::string& s = row.fields[column];
  if (s.empty()) throw_line_error(path, row.line, "empty " + field_label(column, name));
  errno = 0;
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || errno == ERANGE || !std::isfinite(v))
    throw_line_error(path, row.line, field_label(column, name) + " is not a finite number: \"" + s + "\"");
  return v;
}

long csv_integer(const std::string& path, const CsvRow& row, size_t column, const std::string& name) {
  const double v = csv_number(path, row, column, name);
  if (v != std::floor(v) || std::fabs(v) > 2e9)
    throw_line_error(path, row.line, field_label(column, name) + " is not an integer: \"" + row.fields[column] + "\"");
  return static_cast<long>(v);
}

bool csv_is_header(const CsvRow& row, const std::vector<std::string>& names) {
  if (row.fields.size() != names.size()) return false;
  for (size_t i = 0; i < names.size(); ++i) {
    std::string a = row.fields[i], b = names[i];
    std::transform(a.begin(), a.end(), a.begin(), [](unsigned char c) { return std::tolower(c); });
    std::transform(b.begin(), b.end(), b.begin(), [](unsigned char c) { return std::tolower(c); });
    if (a != b) return false;
  }
  return true;
}

}  // namespace rv
