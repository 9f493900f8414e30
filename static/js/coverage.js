/* The coverage chart of the door-knocking outreach: cumulative households visited and residents with signed
   pledges, week by week, with the visits of each week as bars. The numbers come from the page's
   <script type="application/json" id="coverage-data"> block (Django's json_script): CSP allows no inline code. */
(function () {
  "use strict";

  var source = document.getElementById("coverage-data");
  var element = document.getElementById("coverage-chart");
  if (!source || !element || typeof window.echarts === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  if (!data.weeks || !data.weeks.length) {
    return;
  }
  var labels = data.labels || {};
  element.style.height = "300px";
  element.style.width = "100%";

  var chart = window.echarts.init(element, null, { renderer: "canvas" });
  chart.setOption({
    color: ["#0d6efd", "#198754", "#adb5bd"],
    tooltip: {
      trigger: "axis",
      confine: true,
      renderMode: "richText", // drawn on the canvas: HTML tooltips carry inline styles that the CSP refuses
      formatter: function (items) {
        var lines = [labels.week_of + " " + items[0].axisValue];
        items.forEach(function (item) { lines.push(item.marker + item.seriesName + ": " + item.value); });
        return lines.join("\n");
      }
    },
    legend: { type: "scroll", top: 0 },
    grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
    xAxis: { type: "category", data: data.weeks },
    yAxis: [
      { type: "value", minInterval: 1, max: function (value) { return Math.max(value.max, data.households || 0); } },
      { type: "value", minInterval: 1, splitLine: { show: false } }
    ],
    series: [
      { name: labels.households_visited, type: "line", data: data.households_visited, smooth: true, areaStyle: { opacity: 0.12 } },
      { name: labels.residents_pledged, type: "line", data: data.residents_pledged, smooth: true },
      { name: labels.visits, type: "bar", yAxisIndex: 1, data: data.visits, barMaxWidth: 18 }
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
