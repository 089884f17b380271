// Renders every element with a data-chart attribute holding an ECharts option (JSON).
document.querySelectorAll("[data-chart]").forEach(function (el) {
  var chart = echarts.init(el);
  chart.setOption(JSON.parse(el.dataset.chart));
  window.addEventListener("resize", function () { chart.resize(); });
});
