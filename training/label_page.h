#pragma once
namespace rv::cli {
// The labelling page (HTML with its CSS and JavaScript inline).
const char* label_page_html();
}  // namespace rv::cli
