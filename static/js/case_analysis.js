/* Charts of the case analysis page: one bar chart per table (cases in the period beside the same period a
   year earlier). The numbers come from <script type="application/json" id="case-analysis-data">; the tables
   below each chart show the same numbers, so the page reads without JavaScript. */
(function () {
  "use strict";
  var source = document.getElementById("case-analysis-data");
  if (!source || typeof window.echarts === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var charts = [];
  document.querySelectorAll(".analysis-chart[data-by]").forEach(function (element) {
    var rows = data.tables[element.getAttribute("data-by")] || [];
    if (!rows.length) {
      return;
    }
    var horizontal = rows.length > 6;
    element.style.width = "100%";
    element.style.height = (horizontal ? Math.max(220, 60 + rows.length * 28) : 240) + "px";
    var labels = rows.map(function (row) { return row.label; });
    var categoryAxis = { type: "category", data: labels, axisLabel: { width: 110, overflow: "truncate" } };
    var valueAxis = { type: "value", minInterval: 1 };
    if (horizontal) {
      categoryAxis.inverse = true;
    }
    var chart = window.echarts.init(element, null, { renderer: "canvas" });
    chart.setOption({
      color: ["#0d6efd", "#adb5bd"],
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, confine: true, renderMode: "richText" },
      legend: { top: 0 },
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      xAxis: horizontal ? valueAxis : categoryAxis,
      yAxis: horizontal ? categoryAxis : valueAxis,
      series: [
        { name: data.labels.now, type: "bar", barMaxWidth: 18, data: rows.map(function (row) { return row.cases; }) },
        { name: data.labels.previous, type: "bar", barMaxWidth: 18, data: rows.map(function (row) { return row.cases_prev; }) }
      ]
    });
    charts.push(chart);
  });
  window.addEventListener("resize", function () {
    charts.forEach(function (chart) { chart.resize(); });
  });
})();
