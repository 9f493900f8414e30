/* Charts of the warning KPI page. The numbers come from the page's <script type="application/json"
   id="kpi-data"> block (rendered by Django's json_script); the tables beside the charts show the same
   numbers, so the page still reads without JavaScript. */
(function () {
  "use strict";

  var source = document.getElementById("kpi-data");
  if (!source || typeof window.echarts === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var villages = data.villages || [];
  if (!villages.length) {
    return;
  }
  var charts = [];
  var palette = ["#f0ad4e", "#0d6efd", "#198754", "#0dcaf0", "#20c997", "#dc3545"];

  function sized(element) {
    // One bar row per village, so that long lists of villages stay readable on a phone.
    var rows = villages.length;
    element.style.height = Math.max(240, 90 + rows * 34) + "px";
    element.style.width = "100%";
    return element;
  }

  function draw(id, option) {
    var element = document.getElementById(id);
    if (!element) {
      return;
    }
    var chart = window.echarts.init(sized(element), null, { renderer: "canvas" });
    chart.setOption(option);
    charts.push(chart);
  }

  function base(extra) {
    var option = {
      color: palette,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, confine: true, renderMode: "richText" },
      legend: { type: "scroll", top: 0 },
      grid: { left: 8, right: 24, top: 36, bottom: 8, containLabel: true },
      yAxis: { type: "category", data: villages, inverse: true, axisLabel: { width: 90, overflow: "truncate" } }
    };
    for (var key in extra) {
      if (Object.prototype.hasOwnProperty.call(extra, key)) {
        option[key] = extra[key];
      }
    }
    return option;
  }

  function bars(list, stack) {
    return list.map(function (series) {
      return { name: series.label, type: "bar", stack: stack || undefined, data: series.values, barMaxWidth: 22 };
    });
  }

  draw("kpi-chart-open", base({
    xAxis: { type: "value", minInterval: 1 },
    series: bars(data.open_by_status, "cases")
  }));

  draw("kpi-chart-durations", base({
    color: ["#6ea8fe", "#0a58ca", "#75b798", "#146c43"],
    xAxis: { type: "value", axisLabel: { formatter: "{value} " + data.labels.hours } },
    series: bars(data.durations)
  }));

  draw("kpi-chart-rates", base({
    color: ["#0d6efd", "#198754"],
    xAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
    series: bars([
      { label: data.labels.on_time_rate, values: data.on_time_rate },
      { label: data.labels.dissuasion_rate, values: data.dissuasion_rate }
    ])
  }));

  window.addEventListener("resize", function () {
    charts.forEach(function (chart) { chart.resize(); });
  });
})();
