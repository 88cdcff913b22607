"""Fill-in templates (填报模板): what `planwatch templates` writes and the sample generator fills.

`layout` decides where every figure goes (sheets, rows, columns) from the reporting duties of a month,
`template` writes the workbook in the format of `planwatch.template_format`, `validation` says what
a clerk may type into its input cells, `printing` how each sheet prints (A4, one page wide), `meta` writes
and reads its hidden `_planwatch` sheet, and `files` saves workbooks byte for byte reproducibly.
"""

from planwatch.forms.layout import DataSheetLayout, TemplateLayout, reporting_departments, template_layout
from planwatch.forms.meta import TemplateMeta, read_meta
from planwatch.forms.template import MilestoneReport, build_template, template_filename, write_templates

__all__ = [
    "DataSheetLayout",
    "MilestoneReport",
    "TemplateLayout",
    "TemplateMeta",
    "build_template",
    "read_meta",
    "reporting_departments",
    "template_filename",
    "template_layout",
    "write_templates",
]
