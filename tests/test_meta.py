"""Who published a document and where: region, department and year from its own text."""

from __future__ import annotations

import pytest

from index.parse.meta import department_from_line, department_in_title, region_of, title_year


@pytest.mark.parametrize(
    "text, region",
    [
        ("天津市西青区司法局", "天津市西青区"),
        ("秀山土家族苗族自治县司法局", "秀山土家族苗族自治县"),
        ("034-阳城县司法局", "阳城县"),
        ("盐池县本级部门项目支出年度预算绩效目标批复表", "盐池县"),
        ("成都市司法局", "成都市"),
        ("江苏省人民检察院", "江苏省"),
        ("湘潭市城市管理和综合执法局", "湘潭市"),  # 城市 reads like a county-level 市
        ("长沙市城市建设投资中心", "长沙市"),
        ("临沧市永德县明朗中学", "临沧市永德县"),
        ("东0县司法局", None),
        ("南岭新区管委会", "南岭新区"),  # a name the gazetteer lacks: kept as printed
        ("县司法局", None),
        ("全区人民调解案件补助经费", None),
        ("2025年全区安置帮教经费", None),
    ],
)
def test_meta_region_of(text, region):
    assert region_of(text) == region


@pytest.mark.parametrize(
    "text, department",
    [
        ("江苏省高级人民法院2019 年度部门预算公开", "江苏省高级人民法院"),
        ("阳城县司法局2024年度部门预算公开", "阳城县司法局"),
        ("反映江苏省高级人民法院 2019 年度总体收入预算情况。", None),
        ("2024年预算收支总表", None),
    ],
)
def test_meta_department_in_title(text, department):
    assert department_in_title(text) == department


@pytest.mark.parametrize(
    "text, department",
    [
        ("部门名称：阳城县司法局", "阳城县司法局"),
        ("预算（单位）名称：秀山土家族苗族自治县司法局", "秀山土家族苗族自治县司法局"),
        ("部门：江苏省人大常委会办公厅", "江苏省人大常委会办公厅"),
        ("单位：万元", None),
    ],
)
def test_meta_department_from_label(text, department):
    assert department_from_line(text) == department


@pytest.mark.parametrize(
    "text, year",
    [
        ("(2024年度)", 2024),
        ("预算年度:2023", 2023),
        ("（2024） 年度", 2024),
        ("2024年度部门预算公开", 2024),
        ("项目期 2024-2024", None),
    ],
)
def test_meta_title_year(text, year):
    assert title_year(text) == year
