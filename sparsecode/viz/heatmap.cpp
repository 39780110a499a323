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
  // Names and the title at twice the font's size; the values too when the widest one fits its cell.
  constexpr int kLabelScale = 2;
  int row_text = internal::text_width(labels.row_axis, kLabelScale);
  for (const auto& r : rows) row_text = std::max(row_text, internal::text_width(r, kLabelScale));
  std::vector<std::string> texts(static_cast<std::size_t>(values.size()));
  int widest = 0;
  for (Index k = 0; k < values.size(); ++k) {
    char text[32];
    std::snprintf(text, sizeof text, "%.4g", values.data()[k]);
    texts[static_cast<std::size_t>(k)] = text;
    widest = std::max(widest, internal::text_width(text, 2));
  }
  const int value_scale = widest + 6 <= cell ? 2 : 1;
  const int left = row_text + 20;
  const int top = (labels.title.empty() ? 10 : 36) + 44;
  const int width = std::max(left + static_cast<int>(values.cols()) * cell + 10,
                             20 + internal::text_width(labels.title, kLabelScale));
  const int height = top + static_cast<int>(values.rows()) * cell + 10;
  internal::Canvas c{width, height,
                     std::vector<unsigned char>(static_cast<std::size_t>(width) * static_cast<std::size_t>(height), 255)};
  c.text(10, 10, labels.title, 0, kLabelScale);
  c.text(left, top - 40, labels.column_axis, 0, kLabelScale);
  c.text(8, top - 20, labels.row_axis, 0, kLabelScale);
  const double top_value = values.maxCoeff();
  for (Index j = 0; j < values.cols(); ++j) {
    const int x = left + static_cast<int>(j) * cell;
    const auto& name = cols[static_cast<std::size_t>(j)];
    c.text(x + (cell - internal::text_width(name, kLabelScale)) / 2, top - 20, name, 0, kLabelScale);
  }
  for (Index i = 0; i < values.rows(); ++i) {
    const int y = top + static_cast<int>(i) * cell;
    c.text(8, y + cell / 2 - 7, rows[static_cast<std::size_t>(i)], 0, kLabelScale);
    for (Index j = 0; j < values.cols(); ++j) {
      const int x = left + static_cast<int>(j) * cell;
      const double t = top_value > 0.0 ? values(i, j) / top_value : 0.0;
      // Shades stop at a mid grey so that the largest cells stay distinct from the frame, and the
      // value is printed in white on the darker half, black on the lighter.
      const auto grey = static_cast<unsigned char>(std::lround(255.0 - 185.0 * t));
      for (int py = y; py < y + cell; ++py)
        for (int px = x; px < x + cell; ++px) c.set(px, py, grey);
      const auto& text = texts[static_cast<std::size_t>(j * values.rows() + i)];
      c.text(x + (cell - internal::text_width(text, value_scale)) / 2, y + (cell - 7 * value_scale) / 2, text,
             grey < 160 ? 255 : 0, value_scale);
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
