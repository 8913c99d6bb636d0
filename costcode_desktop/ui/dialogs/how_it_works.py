"""Help → How It Works: what CostCodeSync compares, what a refresh changes and what it never does.

Written for accounting staff, in plain words; every sentence is checked against the code
(costcodes/plan.py, services/refresh.py, services/company.py) and the README.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from costcode_desktop import APP_NAME
from costcode_desktop.costcodes import DiffStatus
from costcode_desktop.ui.kit import theme
from costcode_desktop.ui.kit.sizing import scaled_size

PAGE = """
<style>p, li {{ line-height: 125%; }} h3 {{ margin-top: 16px; }}</style>
<h2>How {app} works</h2>

<h3>Where the company list comes from</h3>
<p>Your accounting team keeps the standard cost codes in your ERP system (Sage 300 CRE,
Acumatica, Sage Intacct and others). Its ERP connector copies them into Procore, into one
company-level ERP list, for example the <b>Sage 300 CRE Standard Cost Code List</b>. {app} reads
that list; it never changes it. New cost codes are created in the ERP system, not in
Procore.</p>
<p>With Sage 300 CRE, the <b>hh2 Cloud Service</b> reads Sage about every 5 minutes and Procore
reads hh2 about every 30 minutes, so a code added in Sage can take about 35 minutes to appear.
The time each list was read is shown above the comparison.</p>

<h3>What "out of date" means</h3>
<p>Each project has its own copy of the cost codes, made when the project was set up. Procore
does not add later codes to it by itself. An active project is <b>out of date</b> when a
refresh would change it:</p>
<ul>
<li><b>{missing}</b>: a code on the company list is not on the project, or</li>
<li><b>{differs}</b>: a code's description was changed on the project.</li>
</ul>
<p>Codes marked <b>{only}</b> do not make a project out of date. Neither do descriptions
marked <b>{locked}</b> (they come from the ERP system through its connector) nor codes
marked <b>{unsent}</b>: a refresh leaves all of them as they are, and the line above the
comparison says so. Inactive projects are not counted; select one and choose <i>Refresh
Selected</i> to refresh it.</p>

<h3>What a refresh does</h3>
<ul>
<li>Adds the missing codes to the project, together with the division (the parent code) each
one belongs to when the project does not have it yet.</li>
<li>Puts back the company list's description where the project's description differs.</li>
<li>Then reads the project again and compares it again. A project is shown as in sync only
when that second reading says so. The green banner shows while it works; you can keep
using the window.</li>
</ul>

<h3>What a refresh never does</h3>
<ul>
<li>It never deletes a cost code, not even codes that exist only on the project.</li>
<li>It does not change descriptions locked by the ERP connector (marked <b>{locked}</b>):
they can only be changed in the ERP system.</li>
<li>It does not send codes the company's ERP connector does not support
(<b>{unsent}</b>): Sage 300 CRE and Sage 100 Contractor allow <tt>/</tt>, <tt>-</tt> and
<tt>.</tt> between the parts, Acumatica and CMiC only <tt>-</tt>, and Sage Intacct wants one
delimiter throughout and unique descriptions. The line above the comparison says whose rules
apply (the connector is told from the list's name, or set in Connection settings; when it is
unknown, only what every connector accepts is sent). Correct such codes in the ERP system; the
next sync brings them over. A project that already has such a code is fine.</li>
<li>It only changes the project's cost code list: never budgets, commitments, change orders
or anything else in the project.</li>
<li>It changes nothing in the ERP system and nothing in the company list.</li>
</ul>

<h3>Projects that cannot be refreshed</h3>
<p>A project that is not connected to the ERP system, that uses another cost code list, or on
which you do not have the permission below is left as it is: {app} says why and sends nothing
to it.</p>

<h3>Permission needed</h3>
<p>You need <b>'Admin'</b> on the project's <b>Admin</b> tool in Procore (or the 'Manage Cost
Codes' granular permission), the same as for Procore's own <i>Refresh Cost Codes</i> button.
Ask a Procore administrator if a project says you lack it.</p>

<h3>Where the history is</h3>
<p>Every refresh is recorded on this computer: <b>View → Refresh History</b> shows each run,
what it did to each project, and every code added or updated, and exports it to CSV or Excel.
The <i>Last refreshed</i> column of the projects list comes from it.</p>
{shortcuts}
"""


def page(shortcuts: Sequence[tuple[str, str]] = ()) -> str:
    """The page's HTML; `shortcuts` are (what, keys) rows for a table at the end."""
    looks = theme.DIFF_LOOKS
    rows = "".join(
        f"<tr><td>{escape(what)}</td><td style='padding-left:16px'><b>{escape(keys)}</b></td></tr>"
        for what, keys in shortcuts
    )
    table = f"<h3>Keyboard shortcuts</h3><table>{rows}</table>" if rows else ""
    return PAGE.format(
        app=APP_NAME,
        missing=escape(looks[DiffStatus.MISSING].label),
        differs=escape(looks[DiffStatus.DESCRIPTION_DIFFERS].label),
        only=escape(looks[DiffStatus.ONLY_ON_PROJECT].label),
        locked=escape(theme.LOCKED_LOOK.label),
        unsent=escape(theme.UNSENT_LOOK.label),
        shortcuts=table,
    )


class HowItWorksDialog(QDialog):
    """Not modal: it can stay open beside the window while the user looks."""

    def __init__(
        self, parent: QWidget | None = None, shortcuts: Sequence[tuple[str, str]] = ()
    ) -> None:
        super().__init__(parent)
        self.setObjectName("howItWorksDialog")
        self.setWindowTitle(f"How {APP_NAME} works")
        self.resize(scaled_size(self, 680, 720))
        self.browser = QTextBrowser(self)
        self.browser.setObjectName("howItWorksText")
        self.browser.setAccessibleName(f"How {APP_NAME} works")
        self.browser.setOpenExternalLinks(True)
        self.browser.document().setDocumentMargin(16)
        self.browser.setHtml(page(shortcuts))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser, 1)
        layout.addWidget(buttons)
        self.browser.setFocus(Qt.FocusReason.OtherFocusReason)
