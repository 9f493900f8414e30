/* Charts of the education compliance pages. The numbers come from the page's <script type="application/json"
   id="education-data"> block (Django's json_script); the tables beside the charts show the same numbers,
   so the pages read without JavaScript too. */
(function () {
  "use strict";

  var source = document.getElementById("education-data");
  if (!source || typeof window.echarts === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var charts = [];

  function draw(id, categories, option) {
    var element = document.getElementById(id);
    if (!element || !categories.length) {
      return;
    }
    element.style.width = "100%";
    element.style.height = Math.max(200, 90 + categories.length * 44) + "px";
    var chart = window.echarts.init(element, null, { renderer: "canvas" });
    var base = {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, confine: true, renderMode: "richText" },
      legend: { type: "scroll", top: 0 },
      grid: { left: 8, right: 24, top: 36, bottom: 8, containLabel: true },
      yAxis: { type: "category", data: categories, inverse: true, axisLabel: { width: 100, overflow: "truncate" } }
    };
    for (var key in option) {
      if (Object.prototype.hasOwnProperty.call(option, key)) {
        base[key] = option[key];
      }
    }
    chart.setOption(base);
    charts.push(chart);
  }

  function bar(name, values, color) {
    return { name: name, type: "bar", data: values, barMaxWidth: 18, itemStyle: { color: color } };
  }

  var percentAxis = { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } };

  if (data.kind === "schools") {
    var labels = data.labels;
    draw("education-chart-sessions", data.schools, {
      xAxis: { type: "value", minInterval: 1 },
      series: [
        bar(labels.staff_done, data.staff_done, "#0d6efd"),
        bar(labels.staff_required, data.staff_required, "#9ec5fe"),
        bar(labels.micro_done, data.micro_done, "#198754"),
        bar(labels.micro_required, data.micro_required, "#a3cfbb")
      ]
    });
    draw("education-chart-rates", data.schools, {
      xAxis: percentAxis,
      series: [
        bar(labels.broadcast_rate, data.broadcast_rate, "#fd7e14"),
        bar(labels.slip_rate, data.slip_rate, "#6f42c1")
      ]
    });
  } else if (data.kind === "classes") {
    draw("education-chart-classes", data.classes, {
      legend: { show: false },
      xAxis: percentAxis,
      series: [
        {
          name: data.labels.rate,
          type: "bar",
          data: data.rates.map(function (value) {
            return { value: value, itemStyle: { color: value >= 100 ? "#198754" : value >= 80 ? "#fd7e14" : "#dc3545" } };
          }),
          barMaxWidth: 18,
          markLine: { silent: true, symbol: "none", data: [{ xAxis: 100 }], lineStyle: { color: "#198754" } }
        }
      ]
    });
  }

  window.addEventListener("resize", function () {
    charts.forEach(function (chart) { chart.resize(); });
  });
})();
