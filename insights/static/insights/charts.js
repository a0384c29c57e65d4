// aftersales insights: draws every .insights-chart of a figures page from its json_script data
// (#insights-chart-data) with the builder the page's own script registered for the chart's
// data-chart name; drawn again after an htmx swap and resized with the window.
// A page script calls insightsCharts.register(name, function (data, base) { return option; }),
// where `base` is the common option (tooltip, legend, grid, the days on the x axis).
(function () {
  const builders = {};

  function base(data) {
    return {
      tooltip: { trigger: "axis" },
      legend: { top: 24 },
      grid: { left: 40, right: 16, top: 64, bottom: 32 },
      xAxis: { type: "category", data: data.series.days },
    };
  }

  function draw() {
    const source = document.getElementById("insights-chart-data");
    if (!source || typeof echarts === "undefined") return;
    const data = JSON.parse(source.textContent);
    document.querySelectorAll(".insights-chart").forEach(function (el) {
      const build = builders[el.dataset.chart];
      if (!build) return;
      const old = echarts.getInstanceByDom(el);
      if (old) old.dispose();
      echarts.init(el).setOption(build(data, base(data)));
    });
  }

  window.insightsCharts = {
    register: function (name, build) {
      builders[name] = build;
    },
  };
  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSettle", draw);
  window.addEventListener("resize", function () {
    document.querySelectorAll(".insights-chart").forEach(function (el) {
      const chart = typeof echarts !== "undefined" && echarts.getInstanceByDom(el);
      if (chart) chart.resize();
    });
  });
})();
