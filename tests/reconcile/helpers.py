"""Small hand-built folders for the reconciliation tests: one CSV per table, all spec columns."""
from __future__ import annotations

import csv
from pathlib import Path

from engine.ruleset import load_pack

PROVINCE = "460000"  # the hand-built folders are 海南省's; the province is required configuration
PACK = load_pack("debt_platform", parameters={"province": PROVINCE})
UNIT = "91460100MA5RCE5U1C"  # registered (see unit())
UNIT2 = "91460000MA5T00002J"
BANK = "B0001H111000001"
BRANCH = "B0001B246010001"


def unit(uscc: str = UNIT, **kw) -> dict:
    return {"UNIT_USCC": uscc, "UNIT_NAME": "海口市城市建设投资有限公司", "UNIT_KIND": "融资平台公司", "REGION_CODE": "460100",
            "GOV_LEVEL": "市", "IS_LGFV": "是", "SUPERVISOR": "海口市国资委", "REG_DATE": "20200101", **kw}


def loan(n: int = 1, **kw) -> dict:
    """A debt-side 银行贷款 record."""
    return {"RECORD_ID": f"R{n:04d}", "PERIOD": "202406", "UNIT_USCC": UNIT, "UNIT_NAME": "海口市城市建设投资有限公司",
            "REGION_CODE": "460100", "PRODUCT_TYPE": "银行贷款", "CREDITOR_CODE": BANK, "CREDITOR_NAME": "中国工商银行",
            "BRANCH_CODE": BRANCH, "BRANCH_NAME": "工行海口分行", "PRODUCT_CODE": "", "CONTRACT_NO": f"HT{n:04d}",
            "DRAWDOWN_NO": f"JJ{n:04d}", "CURRENCY": "CNY", "AMOUNT": "10000000.00", "BALANCE": "8000000.00",
            "VALUE_DATE": "20230101", "MATURITY_DATE": "20280101", "RATE": "4.200000", "STATUS": "存续", "REMARK": "", **kw}


def bank(n: int = 1, **kw) -> dict:
    """The bank's record of the same loan."""
    return {"PERIOD": "202406", "BANK_CODE": BANK, "BANK_NAME": "中国工商银行股份有限公司", "BRANCH_CODE": BRANCH,
            "BRANCH_NAME": "中国工商银行股份有限公司海口分行", "BORROWER_USCC": UNIT, "BORROWER_NAME": "海口市城市建设投资有限公司",
            "BORROWER_REGION": "460100", "CONTRACT_NO": f"HT{n:04d}", "LOAN_NO": f"JJ{n:04d}", "CURRENCY": "CNY",
            "LOAN_AMOUNT": "10000000.00", "BALANCE": "8000000.00", "START_DATE": "20230101", "MATURITY_DATE": "20280101",
            "RATE": "4.200000", "STATUS": "存续", **kw}


def product(n: int = 1, kind: str = "信托", **kw) -> dict:
    """A debt-side 理财/信托/资管 record."""
    return {**loan(n), "PRODUCT_TYPE": kind, "CREDITOR_CODE": "K0001H111000001", "CREDITOR_NAME": "某信托有限责任公司",
            "BRANCH_CODE": "", "BRANCH_NAME": "", "PRODUCT_CODE": f"ZXD{n:05d}", "CONTRACT_NO": f"TZ{n:04d}",
            "DRAWDOWN_NO": "", **kw}


def registry(n: int = 1, kind: str = "信托", **kw) -> dict:
    return {"PERIOD": "202406", "REGISTRY": "中国信托登记有限责任公司", "PRODUCT_TYPE": kind, "PRODUCT_CODE": f"ZXD{n:05d}",
            "PRODUCT_NAME": "某集合资金信托计划", "MANAGER_CODE": "K0001H111000001", "MANAGER_NAME": "某信托有限责任公司",
            "DEBTOR_USCC": UNIT, "DEBTOR_NAME": "海口市城市建设投资有限公司", "DEBTOR_REGION": "460100",
            "CONTRACT_NO": f"TZ{n:04d}", "AMOUNT": "10000000.00", "BALANCE": "8000000.00", "VALUE_DATE": "20230101",
            "MATURITY_DATE": "20280101", "RATE": "4.200000", **kw}


def write_folder(folder: Path, tables: dict[str, list[dict]]) -> Path:
    """One ``<TABLE>.csv`` per table with every spec column (missing values empty)."""
    folder.mkdir(parents=True, exist_ok=True)
    for code, rows in tables.items():
        fields = PACK.catalog.tables[code].field_codes
        with open(folder / f"{code}.csv", "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(fields)
            for row in rows:
                unknown = set(row) - set(fields)
                assert not unknown, f"not fields of {code}: {unknown}"
                writer.writerow([row.get(f, "") for f in fields])
    return folder


def folder_with(tmp_path: Path, debts=(), banks=(), registries=(), units=None, name: str = "m") -> Path:
    return write_folder(tmp_path / name, {"DEBT_UNIT": [unit()] if units is None else list(units),
                                          "DEBT_RECORD": list(debts), "BANK_LOAN": list(banks),
                                          "REGISTRY_PRODUCT": list(registries)})


def reconcile(tmp_path: Path, debts=(), banks=(), registries=(), units=None, pack=None, **kw):
    """Run the reconciliation on a hand-built folder; returns the results model."""
    from engine.reconcile.run import reconcile_submission
    return reconcile_submission(folder_with(tmp_path, debts, banks, registries, units), pack or PACK, **kw)


def classes(result) -> list[tuple]:
    """(class, debt lines, creditor lines, differing fields) per finding, sorted."""
    return sorted((f.cls, tuple(r.line for r in f.debt), tuple(r.line for r in f.creditor), tuple(f.differing_fields))
                  for f in result.findings)
