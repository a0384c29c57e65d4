// aftersales insights: draws the telephone charts from the json_script data (again after an htmx swap).
(function () {
  function draw() {
    const source = document.getElementById("insights-chart-data");
    if (!source || typeof echarts === "undefined") return;
    const data = JSON.parse(source.textContent);
    const s = data.series;
    const l = data.labels;
    document.querySelectorAll(".insights-chart").forEach(function (el) {
      const old = echarts.getInstanceByDom(el);
      if (old) old.dispose();
      const chart = echarts.init(el);
      const base = {
        tooltip: { trigger: "axis" },
        legend: { top: 24 },
        grid: { left: 40, right: 16, top: 64, bottom: 32 },
        xAxis: { type: "category", data: s.days },
      };
      if (el.dataset.chart === "calls") {
        chart.setOption(Object.assign(base, {
          title: { text: l.calls_title, textStyle: { fontSize: 14 } },
          yAxis: { type: "value", minInterval: 1 },
          series: [
            { name: l.calls_in, type: "bar", stack: "calls", data: s.calls_in },
            { name: l.calls_out, type: "bar", stack: "calls", data: s.calls_out },
            { name: l.missed, type: "line", data: s.missed },
          ],
        }));
      } else {
        chart.setOption(Object.assign(base, {
          title: { text: l.shares_title, textStyle: { fontSize: 14 } },
          yAxis: { type: "value", min: 0, max: 100 },
          series: [
            { name: l.answered_in_time_share, type: "line", connectNulls: true, data: s.answered_in_time_share },
            { name: l.missed_callback_share, type: "line", connectNulls: true, data: s.missed_callback_share },
          ],
        }));
      }
    });
  }
  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSettle", draw);
  window.addEventListener("resize", function () {
    document.querySelectorAll(".insights-chart").forEach(function (el) {
      const chart = typeof echarts !== "undefined" && echarts.getInstanceByDom(el);
      if (chart) chart.resize();
    });
  });
})();
