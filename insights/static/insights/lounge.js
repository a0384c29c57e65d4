// aftersales insights: the lounge page's charts (drawn by charts.js, which must load first).
(function () {
  insightsCharts.register("lounge_visits", function (data, base) {
    const s = data.series;
    const l = data.labels;
    return Object.assign(base, {
      title: { text: l.visits_title, textStyle: { fontSize: 14 } },
      grid: { left: 40, right: 48, top: 96, bottom: 32 },
      yAxis: [
        { type: "value", minInterval: 1, name: l.visits },
        { type: "value", name: "s", splitLine: { show: false } },
      ],
      series: [
        { name: l.visits, type: "bar", data: s.visits },
        { name: l.greet_avg, type: "line", yAxisIndex: 1, connectNulls: true, data: s.greet_avg },
        { name: l.greet_p90, type: "line", yAxisIndex: 1, connectNulls: true, lineStyle: { type: "dashed" }, data: s.greet_p90 },
      ],
    });
  });
  insightsCharts.register("lounge_rounds", function (data, base) {
    const s = data.series;
    const l = data.labels;
    return Object.assign(base, {
      title: { text: l.rounds_title, textStyle: { fontSize: 14 } },
      yAxis: { type: "value", min: 0, max: 100 },
      series: [
        { name: l.round_score, type: "line", connectNulls: true, data: s.round_score },
        { name: l.rounds_on_time_share, type: "line", connectNulls: true, data: s.rounds_on_time_share },
      ],
    });
  });
})();
