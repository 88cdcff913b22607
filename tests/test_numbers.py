"""Numbers are read out of plan text the way a reader would: Arabic, full-width and Chinese numerals."""

from planwatch.registry.numbers import chinese_to_number, numbers_in, states_number, without_whitespace


def test_chinese_numerals_are_read() -> None:
    assert chinese_to_number("三十五") == 35
    assert chinese_to_number("两万") == 20_000
    assert chinese_to_number("一百二十") == 120
    assert chinese_to_number("十万") == 100_000
    assert chinese_to_number("一亿五千万") == 150_000_000
    assert chinese_to_number("乳业") is None


def test_a_quote_states_decimal_ratio_full_width_and_thousands() -> None:
    assert states_number("总产值比力争达到2.3 : 1", 2.3)
    assert states_number("日处理鲜奶1.0万吨以上", 1.0)
    assert states_number("营业收入达到７０亿元", 70)
    assert states_number("年产1,200吨", 1200)
    assert states_number("新建三十个", 30)
    assert states_number("收入翻一番", 100)
    assert not states_number("奶牛存栏达到36万头", 46)


def test_numbers_in_keeps_a_chinese_numeral_with_and_without_wan() -> None:
    assert {300_000.0, 30.0} <= numbers_in("存栏三十万头")


def test_whitespace_removal_joins_lines_broken_mid_sentence() -> None:
    assert without_whitespace("提供养殖粪\n\n污科学利用") == "提供养殖粪污科学利用"
