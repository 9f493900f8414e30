/* Charts of the assessment dashboard and village page. The numbers come from the page's
   <script type="application/json" id="assessment-data"> block (Django's json_script); the tables beside
   the charts show the same numbers, so the pages read without JavaScript. */
(function () {
  "use strict";

  /* The callback form: the education questions only matter when the victim was reached, and the
     channels only when they had been educated. */
  var callbackForm = document.querySelector("[data-testid=callback-form]");
  if (callbackForm) {
    var show = function (id, visible) {
      var element = document.getElementById(id);
      if (element) {
        element.hidden = !visible;
      }
    };
    var checked = function (name) {
      var input = callbackForm.querySelector("input[name=" + name + "]:checked");
      return input ? input.value : "";
    };
    var update = function () {
      var reached = checked("reached") === "yes";
      var educated = reached && checked("educated") === "yes";
      show("div_id_educated", reached);
      show("div_id_channels", educated);
      show("div_id_other_channel", educated);
    };
    callbackForm.addEventListener("change", update);
    update();
  }

  var source = document.getElementById("assessment-data");
  if (!source || typeof window.echarts === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var charts = [];
  var bandColours = { green: "#198754", amber: "#f0ad4e", red: "#dc3545" };

  function draw(id, height, option) {
    var element = document.getElementById(id);
    if (!element) {
      return;
    }
    element.style.height = height + "px";
    element.style.width = "100%";
    var chart = window.echarts.init(element, null, { renderer: "canvas" });
    chart.setOption(option);
    charts.push(chart);
  }

  if (data.months && data.months.length) {
    draw("assessment-chart-trend", 280, {
      color: ["#0d6efd", "#dc3545"],
      tooltip: { trigger: "axis", confine: true, renderMode: "richText" },
      legend: { top: 0 },
      grid: { left: 8, right: 8, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.months.map(function (m) { return m.slice(2); }) },
      yAxis: [
        { type: "value", name: data.labels.cases, minInterval: 1 },
        { type: "value", name: data.labels.loss, splitLine: { show: false } }
      ],
      series: [
        { name: data.labels.cases, type: "bar", data: data.cases, barMaxWidth: 22 },
        { name: data.labels.loss, type: "line", yAxisIndex: 1, data: data.loss }
      ]
    });
  }

  if (data.villages && data.villages.length > 1) {
    draw("assessment-chart-scores", Math.max(220, 60 + data.villages.length * 30), {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, confine: true, renderMode: "richText" },
      grid: { left: 8, right: 24, top: 16, bottom: 8, containLabel: true },
      xAxis: { type: "value", min: 0, max: 100 },
      yAxis: { type: "category", data: data.villages, inverse: true, axisLabel: { width: 90, overflow: "truncate" } },
      series: [{
        name: data.labels.score,
        type: "bar",
        barMaxWidth: 20,
        data: data.scores.map(function (score, index) {
          return { value: score, itemStyle: { color: bandColours[data.bands[index]] || "#6c757d" } };
        })
      }]
    });
  }

  window.addEventListener("resize", function () {
    charts.forEach(function (chart) { chart.resize(); });
  });
})();
