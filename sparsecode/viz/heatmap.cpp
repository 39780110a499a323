// Heat-map PNG: shaded cells with their values, row/column names and a title on a grey-level canvas.
#include "sparsecode/viz/heatmap.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "sparsecode/io/image_io.hpp"
#include "sparsecode/viz/internal/canvas.hpp"

namespace sparsecode::viz {

namespace {

std::vector<std::string> names_or_indices(const std::vector<std::string>& names, Index count, const char* what) {
  if (names.empty()) {
    std::vector<std::string> out;
    for (Index i = 0; i < count; ++i) out.push_back(std::to_string(i));
    return out;
  }
  if (static_cast<Index>(names.size()) != count) {
    throw std::invalid_argument(std::string("heat-map: ") + what + " has " + std::to_string(names.size()) +
                                " entries for " + std::to_string(count));
  }
  return names;
}

}  // namespace

void write_heatmap_png(const std::filesystem::path& path, const Matrix<double>& values, const HeatmapLabels& labels,
                       int cell) {
  if (values.size() == 0) throw std::invalid_argument("heat-map: the matrix is empty");
  if (!values.allFinite() || values.minCoeff() < 0.0) {
    throw std::invalid_argument("heat-map: values must be finite and >= 0");
  }
  if (cell < 16 || cell > 200) throw std::invalid_argument("heat-map: cell must be in [16, 200]");
  const auto rows = names_or_indices(labels.row_names, values.rows(), "row_names");
  const auto cols = names_or_indices(labels.column_names, values.cols(), "column_names");
  int row_text = internal::text_width(labels.row_axis);
  for (const auto& r : rows) row_text = std::max(row_text, internal::text_width(r));
  const int left = row_text + 16;
  const int top = (labels.title.empty() ? 10 : 30) + 30;
  const int width = left + static_cast<int>(values.cols()) * cell + 10;
  const int height = top + static_cast<int>(values.rows()) * cell + 10;
  internal::Canvas c{width, height,
                     std::vector<unsigned char>(static_cast<std::size_t>(width) * static_cast<std::size_t>(height), 255)};
  c.text(10, 8, labels.title, 0);
  c.text(left, top - 28, labels.column_axis, 0);
  c.text(8, top - 12, labels.row_axis, 0);
  const double top_value = values.maxCoeff();
  for (Index j = 0; j < values.cols(); ++j) {
    const int x = left + static_cast<int>(j) * cell;
    c.text(x + (cell - internal::text_width(cols[static_cast<std::size_t>(j)])) / 2, top - 12,
           cols[static_cast<std::size_t>(j)], 0);
  }
  for (Index i = 0; i < values.rows(); ++i) {
    const int y = top + static_cast<int>(i) * cell;
    c.text(8, y + cell / 2 - 3, rows[static_cast<std::size_t>(i)], 0);
    for (Index j = 0; j < values.cols(); ++j) {
      const int x = left + static_cast<int>(j) * cell;
      const double t = top_value > 0.0 ? values(i, j) / top_value : 0.0;
      const auto grey = static_cast<unsigned char>(std::lround(255.0 * (1.0 - t)));
      for (int py = y; py < y + cell; ++py)
        for (int px = x; px < x + cell; ++px) c.set(px, py, grey);
      char text[32];
      std::snprintf(text, sizeof text, "%.4g", values(i, j));
      c.text(x + (cell - internal::text_width(text)) / 2, y + cell / 2 - 3, text, grey < 128 ? 255 : 0);
    }
  }
  const int right = left + static_cast<int>(values.cols()) * cell;
  const int bottom = top + static_cast<int>(values.rows()) * cell;
  c.line(left, top, right, top, 0, 1);
  c.line(left, bottom, right, bottom, 0, 1);
  c.line(left, top, left, bottom, 0, 1);
  c.line(right, top, right, bottom, 0, 1);
  io::write_png_gray8(path, width, height, c.pixels);
}

}  // namespace sparsecode::viz
