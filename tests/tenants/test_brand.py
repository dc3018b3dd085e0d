"""A business picks any brand colour; text on it and in it stays readable (WCAG AA)."""

import pytest

from apps.tenants.models import Tenant, contrast_ratio, ink_for


def test_contrast_ratio_matches_the_wcag_formula():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21)
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize("brand", ["#0f766e", "#facc15", "#ffffff", "#38bdf8", "#1e3a8a"])
def test_brand_text_reads_on_white_and_on_the_brand(brand):
    tenant = Tenant(brand_color=brand)
    assert contrast_ratio(tenant.brand_ink, "#ffffff") >= 5.0
    assert contrast_ratio(tenant.brand_on, brand) >= 4.5


def test_a_dark_enough_brand_is_kept_as_it_is():
    assert ink_for("#1e3a8a") == "#1e3a8a"
    assert Tenant(brand_color="#1e3a8a").brand_on == "#ffffff"
    assert Tenant(brand_color="#facc15").brand_on == "#111827"  # yellow takes dark text
