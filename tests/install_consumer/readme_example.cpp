#include <iostream>
#include <sparsecode/sparsecode.hpp>
using namespace sparsecode;
int main(int argc, char** argv) {  // usage: readme_example IMAGE_DIR OUT_DIR
  if (argc != 3) return 2;
  const auto images = preprocess::whiten_images(io::load_image_directory(argv[1]).images);
  const Matrix<double> x = preprocess::extract_patches(images, {.size = 8, .count = 20000});
  sparse::OnlineLearnerOptions options{.atoms = 64};
  options.coding.penalty.lambda = 0.3;
  sparse::OnlineLearner learner(options);
  std::cout << learner.fit(x, Matrix<double>()).brief_report() << "\n";
  Matrix<double> codes;
  std::cout << sparse::SparseCoder<double>(options.coding).compute(learner.dictionary()).encode(x, codes).brief_report() << "\n";
  io::save_samples(std::string(argv[2]) + "/D.npy", learner.dictionary());  // k×d, atoms as rows
  io::save_samples(std::string(argv[2]) + "/codes.npy", codes);              // N×k
}
