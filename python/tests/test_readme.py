"""The README's Python examples run as printed: filters learned from the embedded images, ConvFeatures in a Pipeline."""
import re

import pytest

from conftest import ROOT, stripes


def python_examples():
    """The ```python blocks of the README's '## Python' section."""
    text = (ROOT / "README.md").read_text()
    section = text.split("\n## Python\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, flags=re.S)


def test_the_readme_has_the_two_examples():
    blocks = python_examples()
    assert len(blocks) == 2
    assert "montage" in blocks[0] and "plt.imshow" in blocks[0]
    assert "ConvFeatures" in blocks[1] and "Pipeline" in blocks[1]


def test_learning_filters_and_plotting_the_montage(monkeypatch):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")  # plt.show() draws nothing
    monkeypatch.chdir(ROOT)  # the example reads data/images
    namespace = {}
    exec(python_examples()[0], namespace)
    assert namespace["learner"].components_.shape == (144, 144)
    assert namespace["codes"].shape == (1000, 144)
    assert len(namespace["plt"].gcf().axes[0].images) == 1  # the montage was drawn


def test_conv_features_in_a_pipeline_with_a_grid_search(capsys):
    images, labels = stripes(150, seed=5)
    test_images, test_labels = stripes(100, seed=6)
    namespace = dict(images=images, labels=labels, test_images=test_images, test_labels=test_labels)
    exec("import sparsecode\n" + python_examples()[1], namespace)
    search = namespace["search"]
    assert search.best_params_["features__alpha"] in (0.1, 0.25, 0.5)
    assert search.score(test_images, test_labels) >= 0.9  # chance is 0.5
    assert "features__alpha" in capsys.readouterr().out
